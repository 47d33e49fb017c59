"""Curated seed data: one TriG file (one named graph) per source article, plus ``reference.trig``."""
