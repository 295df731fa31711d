using System.CommandLine;
using System.Diagnostics;
using DiffusionLab.Data.World;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench world`: CharacterWorld images (colour pass and person mask, caption included) rendered
/// one after another on the calling thread, walking the train index space identity by identity.
/// </summary>
internal static class BenchWorld
{
    public static Command Definition()
    {
        var size = CliOptions.Int("--size", "PIXELS", "the side of the images", 64);
        var images = CliOptions.Int("--images", "N", "images rendered in the measurement", 2000);
        var warmup = CliOptions.Int("--warmup", "W", "images rendered before the measurement", 100, min: 0);
        var output = BenchCommand.OutputOption();
        var command = new Command("world", "CharacterWorld rendering speed on one thread (images with masks per second)") { size, images, warmup, output };
        command.SetAction(parse => Run(parse.GetValue(size), parse.GetValue(images), parse.GetValue(warmup), parse.GetValue(output), parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(int size, int images, int warmup, string? output, TextWriter stdout)
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { ImageSize = size });
        var dataset = new CharacterWorldDataset(world, WorldSplit.Train);
        long checksum = 0;
        void RenderAt(long i)
        {
            var (identity, index) = dataset.Item(i % dataset.Count);
            var image = world.Render(identity, index);
            checksum += image.Pixels[image.Pixels.Length / 2] + image.Mask[image.Mask.Length / 2];
        }
        for (int i = 0; i < warmup; i++) RenderAt(dataset.Count - 1 - i);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < images; i++) RenderAt(i);
        double seconds = clock.Elapsed.TotalSeconds;
        var line = new Dictionary<string, object?>
        {
            ["bench"] = "world", ["size"] = size, ["images"] = images, ["warmup"] = warmup, ["threads"] = 1,
            ["device"] = $"CPU, {DeviceDescription.CpuModel()}, {Environment.ProcessorCount} cores", ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["renderer_version"] = CharacterWorld.RendererVersion, ["seconds"] = Math.Round(seconds, 3),
            ["images_per_s"] = Math.Round(images / seconds, 1), ["checksum"] = checksum,
        };
        BenchCommand.WriteLine(line, stdout, output);
        return 0;
    }
}
