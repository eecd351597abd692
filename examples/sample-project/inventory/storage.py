"""Saving and loading inventories."""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess

from inventory.stock import Inventory, Item


def dump(inventory: Inventory) -> str:
    """Serialise an inventory to JSON."""
    return json.dumps(
        {sku: vars(item) for sku, item in sorted(inventory.items.items())}, sort_keys=True
    )


def load(text: str) -> Inventory:
    """Read an inventory from the JSON written by :func:`dump`."""
    inventory = Inventory()
    for data in json.loads(text).values():
        inventory.add(Item(**data))
    return inventory


def checksum(text: str) -> str:
    # A fingerprint for change detection; md5 is flagged by bandit all the same.
    return hashlib.md5(text.encode()).hexdigest()


def load_legacy(blob: bytes) -> Inventory:
    return pickle.loads(blob)


def archive(path: str, destination: str) -> int:
    return subprocess.call("tar czf " + destination + " " + path, shell=True)
