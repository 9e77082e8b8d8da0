"""One package per capability; each package's __init__ holds only setup()."""
