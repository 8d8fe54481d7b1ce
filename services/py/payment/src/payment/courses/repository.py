"""The course projection payment keeps from course events: the shared one, with what a price
needs (title, price, currency, status)."""

from __future__ import annotations

from edu_common.course_projection import CourseProjection

COURSES = CourseProjection()
