"""Passage: what a person cut off from their own state's consular services — or a shipment — may lawfully
do, as of a given day, and why. Start at `passage.assess`."""

__version__ = "0.1.0"
