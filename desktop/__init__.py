"""The ocrjobs desktop client (PySide6): drop images in, watch every item, read the text."""
