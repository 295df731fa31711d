using DiffusionLab.Diffusion;
using DiffusionLab.Sampling;
using DiffusionLab.Tests.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Sampling;

/// <summary>
/// Whole sampling runs against the official DiT loops (p_sample_loop, ddim_sample_loop) with the same stand-in
/// network and the same random draws: Fixtures/sampling-loops.safetensors, written by Fixtures/make_sampling_fixture.py.
/// </summary>
public class SamplingLoopParityTests
{
    private const double Tolerance = 1e-5;

    // Shared by every case: kept out of whichever test's dispose scope loads it first.
    private static readonly Lazy<Dictionary<string, Tensor>> Fixture = new(() =>
        FixtureFiles.Load("sampling-loops.safetensors").ToDictionary(kv => kv.Key, kv => kv.Value.DetachFromDisposeScope()));

    private static readonly double[] AlphasCumprod = new GaussianDiffusion(BetaSchedule.Linear(1000)).AlphasCumprod.ToArray();

    /// <summary>
    /// The generator script's network, of the ORIGINAL timestep t: ε̂ = √(1 − ᾱ_t)·(x + 0.1·sin x) (near the exact
    /// ε̂ for N(0, I) data, so samples keep unit scale), v = sin(x + t/100).
    /// </summary>
    private static DenoiseFn StandIn(bool learnSigma) => (x, t) =>
    {
        var tf = t.to(ScalarType.Float32).view(-1, 1, 1, 1);
        var scale = (1.0 - torch.tensor(AlphasCumprod).index_select(0, t.cpu())).sqrt().to(ScalarType.Float32).view(-1, 1, 1, 1);
        var eps = scale * (x + 0.1 * torch.sin(x));
        return learnSigma ? torch.cat([eps, torch.sin(x + tf / 100.0)], 1) : eps;
    };

    [Theory]
    [InlineData("ddpm10_learned", SamplerKind.Ddpm, "10", true, false, 0.0, 11)]
    [InlineData("ddpm10_learned_clip", SamplerKind.Ddpm, "10", true, true, 0.0, 12)]
    [InlineData("ddpm10_fixed", SamplerKind.Ddpm, "10", false, false, 0.0, 13)]
    [InlineData("ddpm10_fixed_clip", SamplerKind.Ddpm, "10", false, true, 0.0, 14)]
    [InlineData("ddim10_learned", SamplerKind.Ddim, "ddim10", true, false, 0.0, 15)]
    [InlineData("ddim10_learned_clip", SamplerKind.Ddim, "ddim10", true, true, 0.0, 16)]
    [InlineData("ddim10_fixed", SamplerKind.Ddim, "ddim10", false, false, 0.0, 17)]
    [InlineData("ddim10_learned_eta1", SamplerKind.Ddim, "ddim10", true, false, 1.0, 18)]
    public void AFullRunEqualsTheOfficialLoop(string name, SamplerKind sampler, string respacing, bool learnSigma, bool clip, double eta, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), respacing, learnSigma);
        IDiffusionSampler s = sampler == SamplerKind.Ddpm ? new DdpmSampler(clip) : new DdimSampler(eta, clip);
        long[] shape = [2, 4, 8, 8];

        // Both sides draw image i's x_T first, then its noise of each step, from its own generator seeded seed + i.
        using (var first = ImageNoise.Consecutive(seed, (int)shape[0]))
            DiffusionFixture.AssertTensorClose(Fixture.Value[$"{name}.x_T"], first.Draw(shape, torch.CPU), Tolerance,
                $"{name}: x_T (this libtorch's generator draws other numbers than the fixture's torch; the comparison below is void)");
        using var noise = ImageNoise.Consecutive(seed, (int)shape[0]);
        var start = noise.Draw(shape, torch.CPU);
        var sample = s.Sample(spaced, StandIn(learnSigma), start, noise);
        DiffusionFixture.AssertTensorClose(Fixture.Value[$"{name}.sample"], sample, Tolerance, $"{name}: sample");
    }
}
