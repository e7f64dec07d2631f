"""Modal questions a screen asks: confirm, choose, type, settle a clash, pick a date."""
