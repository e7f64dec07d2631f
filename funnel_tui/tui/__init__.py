"""What the terminal UI needs beyond its screens and widgets: keys delivered in order,
and a terminal's input read safely."""
