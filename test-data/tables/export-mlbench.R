#!/usr/bin/Rscript
# Exports small UCI datasets from Debian's r-cran-mlbench to CSV for Kinglet's tests and the
# tabular benchmark. A fixture step only, never a runtime dependency:
#   apt-get install --no-install-recommends r-cran-mlbench r-base-core
#   Rscript test-data/tables/export-mlbench.R test-data/tables
# Missing values are written as empty cells; factors as their level names; the target column
# is named "Class" in every file (mlbench's "Type" of Glass and "diabetes" of Pima renamed).
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "."
suppressPackageStartupMessages(library(mlbench))
write_one <- function(name, df, target) {
  names(df)[names(df) == target] <- "Class"
  # an id column is not a feature (BreastCancer's sample code number)
  df <- df[, setdiff(names(df), "Id"), drop = FALSE]
  write.csv(df, file.path(out, paste0(tolower(name), ".csv")), row.names = FALSE, na = "", quote = TRUE)
  cat(sprintf("%-20s %4d rows %3d columns %3d distinct targets\n", name, nrow(df), ncol(df) - 1, length(unique(df$Class))))
}
data(Sonar); write_one("Sonar", Sonar, "Class")
data(Ionosphere); write_one("Ionosphere", Ionosphere, "Class")
data(Glass); write_one("Glass", Glass, "Type")
data(PimaIndiansDiabetes); write_one("PimaIndiansDiabetes", PimaIndiansDiabetes, "diabetes")
data(BreastCancer); write_one("BreastCancer", BreastCancer, "Class")
data(Vehicle); write_one("Vehicle", Vehicle, "Class")
data(Vowel); write_one("Vowel", Vowel, "Class")
data(Zoo); write_one("Zoo", Zoo, "type")
data(Soybean); write_one("Soybean", Soybean, "Class")
data(HouseVotes84); write_one("HouseVotes84", HouseVotes84, "Class")
# regression: the median home value (medv, in $1000s) of 506 Boston census tracts
data(BostonHousing); write_one("BostonHousing", BostonHousing, "medv")
