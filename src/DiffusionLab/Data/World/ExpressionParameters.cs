namespace DiffusionLab.Data.World;

/// <summary>
/// The continuous face parameters an <see cref="Expression"/> is drawn from; clips interpolate these.
/// </summary>
/// <param name="MouthCurve">−1 corners down (sad) … +1 corners up (smile).</param>
/// <param name="MouthOpen">0 closed line … 1 wide open (surprise).</param>
/// <param name="BrowTilt">−1 inner ends down (angry) … +1 inner ends up (sad).</param>
/// <param name="BrowRaise">0 resting … 1 raised high (surprise).</param>
/// <param name="EyeOpen">Eye height relative to resting: 0.6 squint … 1.35 wide.</param>
public readonly record struct ExpressionParameters(double MouthCurve, double MouthOpen, double BrowTilt, double BrowRaise, double EyeOpen)
{
    public static ExpressionParameters For(Expression expression) => expression switch
    {
        Expression.Smiling => new(1.0, 0.35, 0.0, 0.15, 0.8),
        Expression.Neutral => new(0.0, 0.0, 0.0, 0.0, 1.0),
        Expression.Surprised => new(0.0, 1.0, 0.3, 1.0, 1.35),
        Expression.Sad => new(-0.9, 0.0, 1.0, 0.1, 0.75),
        Expression.Angry => new(-0.5, 0.25, -1.0, 0.0, 0.85),
        _ => throw new ArgumentOutOfRangeException(nameof(expression), $"expression {expression}: not a defined value"),
    };

    /// <summary>a·(1−t) + b·t per parameter, so t = 0 and t = 1 give a and b exactly.</summary>
    public static ExpressionParameters Lerp(ExpressionParameters a, ExpressionParameters b, double t) => new(
        a.MouthCurve * (1 - t) + b.MouthCurve * t,
        a.MouthOpen * (1 - t) + b.MouthOpen * t,
        a.BrowTilt * (1 - t) + b.BrowTilt * t,
        a.BrowRaise * (1 - t) + b.BrowRaise * t,
        a.EyeOpen * (1 - t) + b.EyeOpen * t);
}
