"""climabot: the community bot of the Climate Neutral and Smart Cities mission."""

__version__ = "0.1.0"
