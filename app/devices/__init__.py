"""Hardware behind small interfaces, each with a simulator."""
