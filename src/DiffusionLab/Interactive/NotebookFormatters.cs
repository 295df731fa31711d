using System.Reflection;
using static TorchSharp.torch;

namespace DiffusionLab.Interactive;

/// <summary>
/// Makes a cell whose value is a tensor render inline: image-shaped tensors as a PNG grid, others as
/// shape, dtype and values. Registers with .NET Interactive's formatter when a notebook host has loaded
/// it, found by reflection, so the library never references or requires the host (CLI, tests).
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
        Action<object, TextWriter> html = (value, writer) => writer.Write(NotebookDisplay.TensorHtml((Tensor)value));
        register.Invoke(null, [typeof(Tensor), html, "text/html"]);
        formatter.GetMethod("SetPreferredMimeTypesFor", BindingFlags.Public | BindingFlags.Static)?.Invoke(null, [typeof(Tensor), new[] { "text/html" }]);
        return true;
    }
}
