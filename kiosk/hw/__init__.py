"""Device drivers: one package per device class, each a pure codec under a thin transport."""
