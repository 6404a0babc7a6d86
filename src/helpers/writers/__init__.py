"""Writers: a dataset as files an analyst opens (our workbook, the standard 自评表 form)."""

from helpers.writers.folder import write_tables_folder
from helpers.writers.form import write_form_workbook
from helpers.writers.workbook import write_tables_workbook

__all__ = ["write_form_workbook", "write_tables_folder", "write_tables_workbook"]
