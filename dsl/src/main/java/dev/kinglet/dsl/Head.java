package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What maps the body's features to the classes: a linear classifier, or the embedding the cosine loss needs. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = LinearHead.class, name = "linear"), @JsonSubTypes.Type(value = EmbeddingHead.class, name = "embedding")})
public sealed interface Head permits LinearHead, EmbeddingHead {}
