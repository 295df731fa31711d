using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiffusionLab.Core;

/// <summary>
/// <c>--set Section.Key=Value</c> on a config's JSON before it is read: the dotted path creates missing sections,
/// the value is parsed as JSON (a bare word is a string) unless the target property is a string, which keeps
/// values such as <c>Respacing=250</c> strings, or an enum, whose value is always a word (<c>Sampling.Sampler=ddim</c>).
/// </summary>
public static class ConfigOverrides
{
    /// <summary>Applies one assignment; <paramref name="targetType"/> maps a key path to its declared type (null: unknown).</summary>
    public static void Apply(JsonObject root, string assignment, Func<string[], Type?> targetType)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ConfigException($"--set '{assignment}': expected Section.Key=Value");
        string[] path = assignment[..eq].Split('.');
        string raw = assignment[(eq + 1)..];
        JsonObject node = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            if (node[path[i]] is not JsonObject child)
            {
                child = new JsonObject();
                node[path[i]] = child;
            }
            node = child;
        }
        JsonNode? value;
        var type = targetType(path);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type is { IsEnum: true }) value = raw == "null" ? null : JsonValue.Create(raw);
        else
        {
            try { value = JsonNode.Parse(raw); }
            catch (JsonException) { value = JsonValue.Create(raw); } // a bare word is a string
        }
        node[path[^1]] = value;
    }

    /// <summary>The declared type of the property at <paramref name="path"/> below <paramref name="root"/>, or null if there is none.</summary>
    public static Type? PropertyType(Type root, IEnumerable<string> path)
    {
        Type? type = root;
        foreach (var name in path) type = type?.GetProperty(name)?.PropertyType;
        return type;
    }
}
