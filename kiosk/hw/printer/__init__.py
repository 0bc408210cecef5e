"""ESC/POS receipt printer: python-escpos builds the bytes, a transport chosen by a config string sends them."""
