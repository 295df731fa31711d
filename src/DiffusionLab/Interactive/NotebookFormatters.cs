using System.Reflection;
using Plotly.NET;
using static TorchSharp.torch;

namespace DiffusionLab.Interactive;

/// <summary>
/// Makes cell values render inline: tensors (image-shaped ones as a PNG grid, others as shape, dtype and
/// values), Plotly.NET charts (offline, see <see cref="PlotlyChart.Html"/>) and the progress display
/// (<see cref="NotebookProgress"/>, as HTML and as plain text). Registers with .NET Interactive's formatter when
/// a notebook host has loaded it, found by reflection, so the library never references or requires the host
/// (CLI, tests).
/// </summary>
public static class NotebookFormatters
{
    private const string FormatterType = "Microsoft.DotNet.Interactive.Formatting.Formatter";

    /// <summary>Registers the formatters; false (and nothing happens) outside a .NET Interactive host.</summary>
    public static bool Register()
    {
        var formatter = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Formatting")
            .Select(a => a.GetType(FormatterType)).FirstOrDefault(t => t is not null);
        if (formatter is null) return false;
        var register = formatter.GetMethod("Register", BindingFlags.Public | BindingFlags.Static, [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)])
                       ?? throw new MissingMethodException(FormatterType, "Register(Type, Action<object, TextWriter>, string)");
        var preferred = formatter.GetMethod("SetPreferredMimeTypesFor", BindingFlags.Public | BindingFlags.Static);
        void Add(Type type, string mimeType, Action<object, TextWriter> write, bool preferredMime)
        {
            register.Invoke(null, [type, write, mimeType]);
            if (preferredMime) preferred?.Invoke(null, [type, new[] { mimeType }]);
        }
        Add(typeof(Tensor), "text/html", (value, writer) => writer.Write(NotebookDisplay.TensorHtml((Tensor)value)), true);
        // A chart is a GenericChart.Chart or .MultiChart: the formatter is looked up by the runtime type.
        foreach (var chart in typeof(GenericChart).GetNestedTypes().Where(t => typeof(GenericChart).IsAssignableFrom(t)).Append(typeof(GenericChart)))
            Add(chart, "text/html", (value, writer) => writer.Write(PlotlyChart.Html((GenericChart)value)), true);
        Add(typeof(NotebookProgress), "text/html", (value, writer) => writer.Write(((NotebookProgress)value).Html()), false);
        Add(typeof(NotebookProgress), "text/plain", (value, writer) => writer.Write(((NotebookProgress)value).Text()), false);
        return true;
    }
}
