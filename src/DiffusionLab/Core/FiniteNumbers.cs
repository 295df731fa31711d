using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;

namespace DiffusionLab.Core;

/// <summary>
/// Finds NaN and ±Infinity anywhere in a config record tree. Config JSON accepts the named literals ("NaN",
/// "Infinity") so that metrics round-trip, but no config key means anything non-finite, and a range check such as
/// <c>LearningRate &lt;= 0</c> is false for NaN: without this walk a NaN learning rate trains until the loss diverges.
/// </summary>
public static class FiniteNumbers
{
    /// <summary>"key 'Section.Key': NaN, expected a finite number" for every non-finite number, keys prefixed by <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> Problems(object config, string prefix = "")
    {
        var problems = new List<string>();
        Walk(config, prefix, problems);
        return problems;
    }

    private static void Walk(object node, string prefix, List<string> problems)
    {
        foreach (var property in node.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // Computed values (JsonIgnore) are not keys a user wrote.
            if (property.GetIndexParameters().Length > 0 || property.GetCustomAttribute<JsonIgnoreAttribute>() is not null) continue;
            string key = prefix + property.Name;
            switch (property.GetValue(node))
            {
                case double d when !double.IsFinite(d):
                    problems.Add($"key '{key}': {Show(d)}, expected a finite number");
                    break;
                case float f when !float.IsFinite(f):
                    problems.Add($"key '{key}': {Show(f)}, expected a finite number");
                    break;
                case IEnumerable list and not string:
                    int i = 0;
                    foreach (var item in list)
                    {
                        if (item is double x && !double.IsFinite(x)) problems.Add($"key '{key}[{i}]': {Show(x)}, expected a finite number");
                        else if (item is not null && IsSection(item.GetType())) Walk(item, $"{key}[{i}].", problems);
                        i++;
                    }
                    break;
                case { } value when IsSection(value.GetType()):
                    Walk(value, key + ".", problems);
                    break;
            }
        }
    }

    /// <summary>As JSON writes it ("NaN", "Infinity"), whatever the culture (which may say ∞).</summary>
    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A nested config section: one of the library's own classes or records (not an enum, string or primitive).</summary>
    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("DiffusionLab", StringComparison.Ordinal) == true;
}
