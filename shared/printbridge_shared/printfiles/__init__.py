"""Print files are checked, not trusted: `check_file` fetches a design URL safely and says whether it
can be printed on a print area (docs/print-files.md)."""

from printbridge_shared.printfiles.checker import FileCheck, FileProblem, check_file
from printbridge_shared.printfiles.formats import PrintFormat
from printbridge_shared.printfiles.judging import TOLERANCE_MM, PrintRequirements

__all__ = ["TOLERANCE_MM", "FileCheck", "FileProblem", "PrintFormat", "PrintRequirements", "check_file"]
