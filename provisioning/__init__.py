"""Technician tools: detect devices, probe one, run the simulators standalone, self-test a config."""
