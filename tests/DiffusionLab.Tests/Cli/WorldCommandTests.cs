using System.Text.Json.Nodes;
using DiffusionLab.Imaging;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Cli;

public class WorldCommandTests
{
    [Fact]
    public void Preview_writes_a_grid_of_identities_by_images()
    {
        string dir = TinyRuns.TempDir("world-preview");
        string file = Path.Combine(dir, "grid.png");
        var (code, output, err) = CliHarness.Difflab("world", "preview", "--identities", "3", "--images", "4", "--size", "32", "--out", file);
        Assert.True(code == 0, err);
        Assert.Contains("3 train identities x 4 images", output);
        using (var grid = ImageFile.Read(file))
        {
            // ImageGrid: cols·W + (cols+1)·2 padding by rows·H + (rows+1)·2.
            Assert.Equal(4 * 32 + 5 * 2, grid.Width);
            Assert.Equal(3 * 32 + 4 * 2, grid.Height);
        }

        string masks = Path.Combine(dir, "masks.png");
        (code, _, err) = CliHarness.Difflab("world", "preview", "--identities", "2", "--images", "3", "--out", masks, "--masks", "--held-out", "--seed", "5");
        Assert.True(code == 0, err);
        using var withMasks = ImageFile.Read(masks);
        Assert.Equal(6 * 64 + 7 * 2, withMasks.Width);
        Assert.Equal(2 * 64 + 3 * 2, withMasks.Height);
    }

    [Theory]
    [InlineData("world")]
    [InlineData("world", "show")]
    [InlineData("world", "preview", "--identities", "2")]
    [InlineData("world", "preview", "--out", "x.png", "--identities", "0")]
    [InlineData("world", "preview", "--out", "x.png", "--held-out", "--identities", "201")]
    [InlineData("world", "preview", "--out", "x.png", "--size", "8")]
    [InlineData("world", "preview", "--out", "x.png", "--colour", "red")]
    public void Bad_preview_options_are_one_line_and_exit_2(params string[] args)
    {
        var (code, _, err) = CliHarness.Difflab(args);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("difflab: ", err);
    }

    [Fact]
    public void Bench_world_appends_a_json_line()
    {
        string file = Path.Combine(TinyRuns.TempDir("world-bench"), "bench.jsonl");
        var (code, output, err) = CliHarness.Difflab("bench", "world", "--images", "20", "--warmup", "2", "--size", "32", "--out", file);
        Assert.True(code == 0, err);
        var line = JsonNode.Parse(File.ReadAllLines(file).Single())!;
        Assert.Equal("world", line["bench"]!.GetValue<string>());
        Assert.Equal(32, line["size"]!.GetValue<int>());
        Assert.Equal(20, line["images"]!.GetValue<int>());
        Assert.True(line["images_per_s"]!.GetValue<double>() > 0);
        Assert.Contains("\"bench\":\"world\"", output);
    }
}
