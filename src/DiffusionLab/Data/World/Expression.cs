namespace DiffusionLab.Data.World;

/// <summary>
/// Facial expression of one image, named in its caption; drawn from continuous face parameters
/// (<see cref="ExpressionParameters"/>) so clips can blend one into another.
/// </summary>
public enum Expression
{
    Smiling,
    Neutral,
    Surprised,
    Sad,
    Angry,
}
