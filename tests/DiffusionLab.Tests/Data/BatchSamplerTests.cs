using DiffusionLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Data;

public class BatchSamplerTests
{
    private static LabeledImages Numbered(int n) =>
        new(torch.arange(n, ScalarType.Float32).view(n, 1, 1, 1).expand(n, 1, 2, 2).contiguous(),
            torch.arange(n, ScalarType.Int64), n, Enumerable.Range(0, n).Select(i => i.ToString()).ToArray());

    [Fact]
    public void Each_epoch_is_a_fresh_permutation_without_repeats()
    {
        using var data = Numbered(12);
        var sampler = new BatchSampler(data, 4, new Generator(3));
        var epochs = new List<long[]>();
        for (int e = 0; e < 3; e++)
            epochs.Add(Enumerable.Range(0, 3).SelectMany(_ => sampler.Next(torch.CPU).conditions.data<long>().ToArray()).ToArray());
        foreach (var epoch in epochs) Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), epoch.Order());
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.Equal(3, sampler.Epoch);
        // Images travel with their labels.
        var (images, labels) = sampler.Next(torch.CPU);
        Assert.True(images[.., 0, 0, 0].to(ScalarType.Int64).equal(labels).all().item<bool>());
    }

    [Fact]
    public void Restoring_generator_and_sampler_state_resumes_exactly()
    {
        using var data = Numbered(10);
        var generator = new Generator(7);
        var sampler = new BatchSampler(data, 3, generator);
        // The generator is shared with other draws (as a trainer's noise would be).
        for (int i = 0; i < 5; i++) { sampler.Next(torch.CPU); torch.randn(4, generator: generator).Dispose(); }
        BatchSamplerState state = sampler.State;
        using var generatorState = generator.get_state();
        var expected = Draw(sampler, generator, 7);

        var resumedGenerator = new Generator(12345);
        resumedGenerator.set_state(generatorState);
        var resumed = new BatchSampler(data, 3, resumedGenerator);
        resumed.Restore(new BatchSamplerState(state.Epoch, state.Position, state.EpochSeed));
        Assert.Equal(expected, Draw(resumed, resumedGenerator, 7));
    }

    [Fact]
    public void Batch_size_larger_than_the_data_is_rejected()
    {
        using var data = Numbered(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchSampler(data, 5, new Generator(0)));
    }

    private static List<long> Draw(BatchSampler sampler, Generator generator, int batches)
    {
        var labels = new List<long>();
        for (int i = 0; i < batches; i++)
        {
            labels.AddRange(sampler.Next(torch.CPU).conditions.data<long>().ToArray());
            torch.randn(4, generator: generator).Dispose();
        }
        return labels;
    }
}
