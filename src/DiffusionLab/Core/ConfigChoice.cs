using System.Reflection;
using System.Text.Json.Serialization;

namespace DiffusionLab.Core;

/// <summary>
/// A closed choice of a config file (dataset, sampler, precision, ...): an enum whose every member carries the word files
/// use, <c>[JsonStringEnumMemberName("ddim")]</c>. <see cref="ConfigChoiceJsonConverter"/> reads and writes those words
/// exactly; messages show them, never the C# member names.
/// </summary>
public static class ConfigChoice
{
    /// <summary>Whether <paramref name="type"/> is an enum whose every member names its config word.</summary>
    public static bool IsChoice(Type type) =>
        type.IsEnum && Members(type) is { Length: > 0 } members && members.All(m => m.GetCustomAttribute<JsonStringEnumMemberNameAttribute>() is not null);

    /// <summary>The config words of <paramref name="type"/>'s members, in declaration order, with their values.</summary>
    public static IReadOnlyList<(string Word, object Value)> Words(Type type)
    {
        if (!IsChoice(type)) throw new ArgumentException($"type {type.Name}: expected an enum whose every member has [JsonStringEnumMemberName]", nameof(type));
        return [.. Members(type).Select(m => (m.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name, m.GetValue(null)!))];
    }

    /// <summary>The word a config file uses for <paramref name="value"/> ("ddim" for SamplerKind.Ddim).</summary>
    public static string Name<T>(T value) where T : struct, Enum
    {
        foreach (var (word, member) in Words(typeof(T)))
            if (value.Equals(member)) return word;
        return value.ToString();
    }

    /// <summary>The member whose config word is exactly <paramref name="word"/> (case-sensitive, as config files are).</summary>
    public static bool TryParse<T>(string? word, out T value) where T : struct, Enum
    {
        foreach (var (w, member) in Words(typeof(T)))
            if (w == word) { value = (T)member; return true; }
        value = default;
        return false;
    }

    /// <summary>The allowed words for a message: <c>"ddpm" or "ddim"</c>, <c>"a", "b" or "c"</c>.</summary>
    public static string Expected(Type type)
    {
        var words = Words(type).Select(w => $"\"{w.Word}\"").ToArray();
        return words.Length == 1 ? words[0] : $"{string.Join(", ", words[..^1])} or {words[^1]}";
    }

    /// <inheritdoc cref="Expected(Type)"/>
    public static string Expected<T>() where T : struct, Enum => Expected(typeof(T));

    private static FieldInfo[] Members(Type type) => type.GetFields(BindingFlags.Public | BindingFlags.Static);
}
