using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Diffusion;

/// <summary>The official diffusion fixtures (Fixtures/README.md), loaded once per test class.</summary>
internal static class DiffusionFixture
{
    // Shared by every test: kept out of whichever test's dispose scope happens to load them first.
    private static readonly Lazy<Dictionary<string, Tensor>> Tensors = new(() =>
        FixtureFiles.Load("diffusion.safetensors").ToDictionary(kv => kv.Key, kv => kv.Value.DetachFromDisposeScope()));
    private static readonly Lazy<JsonObject> Json = new(() => JsonNode.Parse(File.ReadAllText(FixtureFiles.PathOf("fixtures-tiny.json")))!.AsObject());

    public static Tensor Get(string name) => Tensors.Value[name];

    public static double[] Doubles(string name) => Get(name).data<double>().ToArray();

    public static int[] JsonInts(string name) => Json.Value[name]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();

    public static JsonObject JsonObjectOf(string name) => Json.Value[name]!.AsObject();

    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = expected.Max(Math.Abs) + 1e-300;
        double worst = 0;
        for (int i = 0; i < expected.Count; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / scale);
        Assert.True(worst <= relative, $"{what}: relative error {worst:E3} > {relative:E1}");
    }

    public static void AssertTensorClose(Tensor expected, Tensor actual, double relative, string what)
    {
        double err = FixtureFiles.RelativeError(actual, expected);
        Assert.True(err <= relative, $"{what}: relative error {err:E3} > {relative:E1}");
    }
}
