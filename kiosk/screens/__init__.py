"""The Kivy touch UI. The only package that imports Kivy; screens are thin views over kiosk.flows."""
