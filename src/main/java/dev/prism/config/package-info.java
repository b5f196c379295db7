/**
 * Configuration: {@link dev.prism.config.PrismConfig} lists every key with its environment variable and default and
 * parses them once into records (pure); {@link dev.prism.config.ConfigLoader} reads {@code conf/prism.json}, the
 * environment and system properties through vertx-config.
 */
package dev.prism.config;
