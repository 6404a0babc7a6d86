"""Renderers of the report document model (:mod:`helpers.document`): HTML, PDF and Word."""
