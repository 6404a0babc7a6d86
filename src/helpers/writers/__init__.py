"""Writers: a dataset as files an analyst opens (our workbook, the standard 自评表 form)."""

from helpers.writers.workbook import write_tables_workbook

__all__ = ["write_tables_workbook"]
