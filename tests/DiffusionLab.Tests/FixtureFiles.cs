using DiffusionLab.IO;
using static TorchSharp.torch;

namespace DiffusionLab.Tests;

/// <summary>Official-code reference tensors copied from ../shared/fixtures (see Fixtures/README.md).</summary>
internal static class FixtureFiles
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static Dictionary<string, Tensor> Load(string name) => SafetensorsFile.Load(PathOf(name));

    /// <summary>Largest |a-b| / (max|b| + tiny): one relative error for a whole tensor.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        var a = actual.detach().cpu().to(ScalarType.Float64);
        var e = expected.detach().cpu().to(ScalarType.Float64);
        Assert.Equal(e.shape, a.shape);
        double scale = e.abs().max().item<double>() + 1e-12;
        return (a - e).abs().max().item<double>() / scale;
    }
}
