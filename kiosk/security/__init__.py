"""Keys and the cryptography of the card: block ciphers, MACs, key diversification, security modules."""
