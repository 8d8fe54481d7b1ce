"""The course projection enrollment keeps from course events: the shared one, with the
course's current lesson ids, which progress counts against."""

from __future__ import annotations

from edu_common.course_projection import CourseProjection

COURSES = CourseProjection("lesson_ids")
