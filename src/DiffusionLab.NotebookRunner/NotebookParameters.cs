using System.Globalization;
using System.Text.RegularExpressions;

namespace DiffusionLab.NotebookRunner;

/// <summary>
/// `--set name=value` overrides for the cell tagged "parameters" (papermill's convention). Each becomes
/// an assignment in a cell injected right after it, so the parameter keeps the type its cell declared.
/// </summary>
public sealed partial class NotebookParameters
{
    private NotebookParameters(IReadOnlyList<(string Name, string Value)> values) => Values = values;

    public IReadOnlyList<(string Name, string Value)> Values { get; }

    public static NotebookParameters Parse(IEnumerable<string> assignments)
    {
        var values = new List<(string, string)>();
        foreach (var a in assignments)
        {
            int eq = a.IndexOf('=');
            string name = eq > 0 ? a[..eq].Trim() : "";
            if (!Identifier().IsMatch(name)) throw new FormatException($"--set '{a}': expected name=value with a C# identifier as name");
            values.Add((name, a[(eq + 1)..]));
        }
        return new NotebookParameters(values);
    }

    /// <summary>The injected cell's C# source; names must be declared in <paramref name="parametersCell"/>.</summary>
    public string ToCSharp(string parametersCell)
    {
        var lines = new List<string> { "// Injected by difflab notebook run (--set)" };
        foreach (var (name, value) in Values)
        {
            var declaration = new Regex($@"^\s*(?<type>[\w<>\[\]?.]+)\s+{Regex.Escape(name)}\s*=\s*(?<init>.*)$", RegexOptions.Multiline).Match(parametersCell);
            if (!declaration.Success) throw new FormatException($"--set {name}: the parameters cell declares no '{name}'");
            lines.Add($"{name} = {Literal(value, IsString(declaration.Groups["type"].Value, declaration.Groups["init"].Value))};");
        }
        return string.Join("\n", lines);
    }

    private static bool IsString(string type, string init) =>
        type is "string" or "string?" || (type == "var" && Regex.IsMatch(init, "^@?\\$?\""));

    private static string Literal(string value, bool isString)
    {
        if (isString)
            return value.StartsWith('"') ? value : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        if (value is "true" or "false" or "null" || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            return value;
        return value; // an expression (e.g. TimeSpan.FromMinutes(1)): the kernel compiles it against the declared type
    }

    [GeneratedRegex(@"^[A-Za-z_]\w*$")]
    private static partial Regex Identifier();
}
