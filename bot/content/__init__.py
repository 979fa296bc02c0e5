"""Reading and checking the files staff edit: flows/ and locales/."""

from .loader import load_content

__all__ = ["load_content"]
