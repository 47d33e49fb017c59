"""What comes in: tabular import (CSV rows → sourced facts) and, from articles, suggested facts."""
