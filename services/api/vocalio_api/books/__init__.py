"""Books: import (EPUB/TXT/JSON), the book resource and its chapter jobs, the sentence cache, the
audiobook files (chapter files, m4b, zips, captions, EPUB 3 media overlays)."""
