"""ganzoo: a plugin-based GAN zoo with a live monitoring dashboard."""

__version__ = "0.1.0"
