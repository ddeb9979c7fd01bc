package dev.kinglet.dsl;

/**
 * A recipe written as a Java class. List the class in
 * {@code META-INF/services/dev.kinglet.dsl.RecipeProvider}; the CLI finds it with
 * {@link java.util.ServiceLoader}.
 */
public interface RecipeProvider {
    Recipe recipe();
}
