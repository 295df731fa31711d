using DiffusionLab.PhotoMaker;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>photomaker.md §3.1: text-only prompt for steps i ≤ start_merge_step, stacked-ID embedding after; the demo's mapping.</summary>
public class DelayedConditioningTests
{
    [Theory]
    [InlineData(20, 50, 10)]  // the demo default: steps 0..10 text-only
    [InlineData(15, 50, 7)]
    [InlineData(50, 100, 30)] // capped at 30
    [InlineData(0, 50, 0)]
    [InlineData(20, 3, 0)]
    [InlineData(100, 10, 10)]
    public void StartMergeStepIsIntOfStrengthTimesStepsCappedAt30(double percent, int steps, int expected) =>
        Assert.Equal(expected, DelayedSubjectConditioning.StartMergeStep(percent, steps));

    private static TextEmbedding Filled(float value, int rows = 2) =>
        new(full(rows, 4, 3, value), full(rows, 3, value), ones(rows, 4, dtype: ScalarType.Bool));

    [Theory]
    [InlineData(true, 4)]
    [InlineData(false, 2)]
    public void EachStepSeesTheEmbeddingTheRuleGivesIt(bool guided, int rowsPerCall)
    {
        var seen = new List<(int Rows, float First, float Last)>();
        Tensor Network(Tensor x, Tensor t, TextEmbedding text)
        {
            seen.Add(((int)text.Tokens.shape[0], text.Tokens[0, 0, 0].item<float>(), text.Tokens[text.Tokens.shape[0] - 1, 0, 0].item<float>()));
            return zeros(x.shape[0], 6, 4, 4);
        }
        var told = new List<(int, bool)>();
        using var conditioning = new DelayedSubjectConditioning(Network, textOnly: Filled(1), stackedId: Filled(2), unconditional: Filled(0, rows: 1),
            startMergeStep: 3, onStep: (i, id) => told.Add((i, id)));
        Assert.Equal(2, conditioning.Count);
        for (int i = 0; i < 10; i++)
            conditioning.Predict(randn(rowsPerCall, 3, 4, 4), full([rowsPerCall], 900 - 100 * i, ScalarType.Int64), i, 10, withUnconditional: guided);

        Assert.Equal(10, seen.Count);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(rowsPerCall, seen[i].Rows);
            Assert.Equal(i <= 3 ? 1f : 2f, seen[i].First);
            Assert.Equal(guided ? 0f : seen[i].First, seen[i].Last); // the unconditional half is the empty prompt throughout
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (i, i > 3)), told);
    }
}
