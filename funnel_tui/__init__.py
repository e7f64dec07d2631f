"""funnel: a keyboard-driven terminal CRM for the front of the sales funnel."""

__version__ = "0.1.0"
