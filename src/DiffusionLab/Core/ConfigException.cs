namespace DiffusionLab.Core;

/// <summary>Bad user input (config, path, checkpoint, data): the message is one line naming the thing and what was expected.</summary>
public sealed class ConfigException(string message) : Exception(message);
