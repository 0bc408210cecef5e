"""Social security card behind PC/SC: APDU seam, the SSSE card application, and a virtual card."""
