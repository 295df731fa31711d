using DiffusionLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.IO;

public class SafetensorsFileTests
{
    [Fact]
    public void RoundTripIsBitExactForEveryDtype()
    {
        string path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = torch.randn(3, 5),
            ["f64"] = torch.randn(2, 2, dtype: ScalarType.Float64),
            ["bf16"] = torch.randn(4, dtype: ScalarType.BFloat16),
            ["i64"] = torch.arange(7, dtype: ScalarType.Int64),
            ["empty"] = torch.zeros(0, 3),
        };
        SafetensorsFile.Save(path, tensors, new Dictionary<string, string> { ["kind"] = "test" });
        var loaded = SafetensorsFile.Load(path, out var meta);
        Assert.Equal("test", meta["kind"]);
        Assert.Equal(tensors.Keys, loaded.Keys);
        foreach (var (k, v) in tensors)
        {
            Assert.Equal(v.dtype, loaded[k].dtype);
            Assert.Equal(v.shape, loaded[k].shape);
            Assert.True(v.equal(loaded[k]).all().item<bool>(), k);
        }
        File.Delete(path);
    }

    [Fact]
    public void TruncatedFileIsReportedWithItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        SafetensorsFile.Save(path, new Dictionary<string, Tensor> { ["w"] = torch.randn(64, 64) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        File.Delete(path);
    }

    [Fact]
    public void ReadsTheOfficialFixtures()
    {
        var d = FixtureFiles.Load("diffusion.safetensors");
        Assert.Equal(new long[] { 1000 }, d["betas"].shape);
        Assert.Equal(ScalarType.Float64, d["betas"].dtype);
        Assert.Equal(1e-4, d["betas"][0].item<double>(), 12);
    }
}
