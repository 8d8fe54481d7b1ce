"""`python -m course` runs the service."""

from edu_common.serve import serve
from edu_common.settings import load_settings

from course.settings import CourseSettings

if __name__ == "__main__":
    serve("course.app:create_app", load_settings(CourseSettings))
