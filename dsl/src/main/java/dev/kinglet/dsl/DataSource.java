package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A reader of examples: IDX files, class sub-folders, a CSV manifest of images, a table (CSV/TSV rows), or unlabelled images for pre-training. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = IdxSource.class, name = "idx"),
        @JsonSubTypes.Type(value = ImageFolder.class, name = "imageFolder"),
        @JsonSubTypes.Type(value = CsvManifest.class, name = "csv"),
        @JsonSubTypes.Type(value = UnlabelledFolder.class, name = "unlabelledFolder"),
        @JsonSubTypes.Type(value = TableSource.class, name = "table")})
public sealed interface DataSource permits IdxSource, ImageFolder, CsvManifest, UnlabelledFolder, TableSource {}
