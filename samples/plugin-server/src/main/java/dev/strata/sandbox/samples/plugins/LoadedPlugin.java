package dev.strata.sandbox.samples.plugins;

/** A plugin the server has loaded: called with the request body, closed when replaced or on shutdown. */
interface LoadedPlugin extends AutoCloseable {

  String name();

  /** {@code wasm} or {@code native}. */
  String kind();

  /** Runs the plugin once; what the plugin did wrong is in the result, never thrown. */
  PluginResult call(byte[] input);

  @Override
  void close();
}
