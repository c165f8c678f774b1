"""Where the class struggles: per assignment and per graded function, from the gradebook after grading.

    python exercises/course_admin/struggles.py                       # the course in exercises/, its gradebook.db
    python exercises/course_admin/struggles.py --course DIR --db URL --out DIR

Writes to ``<course>/struggles/`` (git-ignored: it is student data):

``functions.csv``
    one row per assignment and graded function (or written answer): submissions, points, mean score, the
    number of submissions with full marks, some points and none, and the share failing any of its cells.
``test_cells.csv``
    one row per graded cell: its function, points, submissions, the number and share that did not get full marks.
``<assignment>.png``
    left, the score distribution of each function (share of submissions with none, some or all of its points);
    right, the share of submissions failing each test cell.

A submission counts for an assignment once it has been autograded; a written answer that no grader has scored yet
is left out of its row and counted in ``ungraded``.
"""

import argparse
import csv
from dataclasses import dataclass, field
from pathlib import Path

COURSE = Path(__file__).resolve().parent.parent


@dataclass
class CellStats:
    """The scores of one graded cell over the submissions (None: a written answer not graded yet)."""

    assignment: str
    function: str
    cell: str
    max_score: float
    scores: list = field(default_factory=list)

    @property
    def graded(self):
        return [score for score in self.scores if score is not None]

    @property
    def failing(self):
        return sum(score < self.max_score for score in self.graded)


def function_of(cell, functions):
    """The graded function a cell belongs to: ``test_<function>_<property>`` (longest match), else the cell."""
    matches = [name for name in functions if cell.startswith(f"test_{name}_")]
    return max(matches, key=len) if matches else cell


def _score(grade):
    """The grade's score, None while it waits for a grader (nbgrader's Grade.score counts that as 0)."""
    score = grade.auto_score if grade.manual_score is None else grade.manual_score
    return None if score is None else float(score)


def read_gradebook(db_url):
    """{assignment: [CellStats per graded cell, in notebook order]} from an nbgrader gradebook."""
    from nbgrader.api import Gradebook

    stats = {}
    with Gradebook(db_url) as gradebook:
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            cells = []
            for notebook in assignment.notebooks:
                code = {cell.name for cell in notebook.source_cells if cell.cell_type == "code"}
                functions = [cell.name for cell in notebook.solution_cells if cell.name in code]
                by_name = {
                    cell.name: CellStats(
                        assignment.name, function_of(cell.name, functions), cell.name, float(cell.max_score)
                    )
                    for cell in notebook.grade_cells
                }
                by_name = dict(sorted(by_name.items(), key=lambda item: (item[1].function, item[0])))
                for submission in notebook.submissions:
                    for grade in submission.grades:
                        by_name[grade.name].scores.append(_score(grade))
                cells += by_name.values()
            stats[assignment.name] = cells
    return stats


def function_rows(cells):
    """One row per function of an assignment: the distribution of its total score over the submissions."""
    rows = {}
    for cell in cells:
        rows.setdefault(cell.function, []).append(cell)
    result = []
    for function, group in rows.items():
        totals = [sum(scores) for scores in zip(*(cell.scores for cell in group), strict=True) if None not in scores]
        points = sum(cell.max_score for cell in group)
        result.append(
            {
                "assignment": group[0].assignment,
                "function": function,
                "points": points,
                "submissions": len(group[0].scores),
                "ungraded": len(group[0].scores) - len(totals),
                "mean_score": round(sum(totals) / len(totals), 3) if totals else "",
                "full_marks": sum(total == points for total in totals),
                "some_points": sum(0 < total < points for total in totals),
                "no_points": sum(total == 0 for total in totals),
                "failing_share": round(sum(total < points for total in totals) / len(totals), 3) if totals else "",
            }
        )
    return result


def cell_rows(cells):
    """One row per graded cell: how many submissions did not get its full points."""
    return [
        {
            "assignment": cell.assignment,
            "function": cell.function,
            "cell": cell.cell,
            "points": cell.max_score,
            "submissions": len(cell.scores),
            "ungraded": len(cell.scores) - len(cell.graded),
            "failing": cell.failing,
            "failing_share": round(cell.failing / len(cell.graded), 3) if cell.graded else "",
        }
        for cell in cells
    ]


def _write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def plot_assignment(name, functions, cells, path):
    """One PNG: the score distribution per function (left) and the failing share per test cell (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    functions = [row for row in functions if row["mean_score"] != ""]
    cells = [row for row in cells if row["failing_share"] != ""]
    height = 1.2 + 0.32 * max(len(functions), len(cells), 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, height), layout="constrained")
    labels = [row["function"] for row in functions][::-1]
    start = [0.0] * len(labels)
    for key, colour, legend in (
        ("no_points", "#c0392b", "no points"),
        ("some_points", "#f39c12", "some points"),
        ("full_marks", "#27ae60", "full marks"),
    ):
        shares = [row[key] / (row["submissions"] - row["ungraded"]) for row in functions][::-1]
        left.barh(labels, shares, left=start, color=colour, label=legend)
        start = [a + b for a, b in zip(start, shares, strict=True)]
    left.set_xlim(0, 1)
    left.set_xlabel("share of graded submissions")
    left.set_title(f"{name}: score per function")
    figure.legend(loc="outside lower center", ncols=3, fontsize="small")
    right.barh([row["cell"] for row in cells][::-1], [row["failing_share"] for row in cells][::-1], color="#c0392b")
    right.set_xlim(0, 1)
    right.set_xlabel("share of submissions without full points")
    right.set_title(f"{name}: failing share per graded cell")
    figure.savefig(path, dpi=100)
    plt.close(figure)


def report(db_url, out):
    """Write the CSVs and one PNG per assignment into ``out``; return the paths written."""
    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists():
        raise SystemExit(f"no gradebook at {db_url}: run nbgrader autograde in the course first")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stats = read_gradebook(db_url)
    all_functions, all_cells, written = [], [], []
    for name, cells in stats.items():
        if not cells or not cells[0].scores:
            continue
        functions, rows = function_rows(cells), cell_rows(cells)
        all_functions += functions
        all_cells += rows
        plot_assignment(name, functions, rows, out / f"{name}.png")
        written.append(out / f"{name}.png")
    if not all_cells:
        raise SystemExit(f"no graded submission in {db_url}: run nbgrader autograde first")
    _write_csv(out / "functions.csv", all_functions)
    _write_csv(out / "test_cells.csv", all_cells)
    return [out / "functions.csv", out / "test_cells.csv", *written]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", default=str(COURSE), help="course directory (default: %(default)s)")
    parser.add_argument("--db", help="gradebook URL (default: sqlite:///<course>/gradebook.db)")
    parser.add_argument("--out", help="output directory (default: <course>/struggles)")
    options = parser.parse_args(argv)
    course = Path(options.course).resolve()
    for path in report(options.db or f"sqlite:///{course / 'gradebook.db'}", options.out or course / "struggles"):
        print(path)


if __name__ == "__main__":
    main()
