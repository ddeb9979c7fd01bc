package dev.kinglet.dsl;

import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema of the recipe format, generated from the records so it cannot drift from
 * them. Shipped as {@code recipes/kinglet-recipe.schema.json}; editors that know JSON Schema
 * (VS Code's YAML extension, IntelliJ) then complete and check recipe files.
 */
public final class RecipeSchema {
    private RecipeSchema() {}

    public static ObjectNode generate() {
        var builder = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(JacksonOption.RESPECT_JSONPROPERTY_ORDER, JacksonOption.FLATTENED_ENUMS_FROM_JSONPROPERTY))
                .with(Option.DEFINITIONS_FOR_ALL_OBJECTS, Option.NULLABLE_FIELDS_BY_DEFAULT, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES)
                .without(Option.SCHEMA_VERSION_INDICATOR);
        // a variant's "set" values are any recipe value (number, string, section): no constraint
        builder.forTypesInGeneral().withCustomDefinitionProvider((type, context) -> JsonNode.class.isAssignableFrom(type.getErasedType())
                ? new CustomDefinition(context.getGeneratorConfig().createObjectNode(), CustomDefinition.DefinitionType.INLINE, CustomDefinition.AttributeInclusion.NO)
                : null);
        var config = builder.build();
        ObjectNode schema = new SchemaGenerator(config).generateSchema(Recipe.class);
        // Typos must not pass: no keys beyond a record's own (and its "type"), also through $ref.
        schema.put("unevaluatedProperties", false);
        if (schema.get("$defs") instanceof ObjectNode defs) {
            for (String name : defs.propertyNames()) {
                if (!name.endsWith("-1") && defs.get(name) instanceof ObjectNode def && def.has("properties")) {
                    def.put("unevaluatedProperties", false);
                }
            }
        }
        ObjectNode out = schema.objectNode();
        out.put("$schema", SchemaVersion.DRAFT_2020_12.getIdentifier());
        out.put("$id", "https://kinglet.dev/schema/recipe.json");
        out.put("title", "Kinglet recipe");
        out.put("description", "A Kinglet recipe: name and data are required, every other section has a default (kinglet describe shows them).");
        out.setAll(schema);
        out.putArray("required").add("name").add("data");
        return out;
    }

    public static String json() {
        return generate().toPrettyString() + "\n";
    }
}
