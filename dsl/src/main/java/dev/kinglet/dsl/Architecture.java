package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The network a recipe trains. ResNets, MobileNets and Wide ResNets join this list. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = SmallCnn.class, name = "smallCnn")})
public sealed interface Architecture permits SmallCnn {}
