package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A reader of labelled images. Later sources (image folders, CSV manifests) join this list. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = IdxSource.class, name = "idx")})
public sealed interface DataSource permits IdxSource {}
