package index

import "github.com/gatehouse/gatehouse/engine/model"

// Input is one decision question. User alone, User with Installation, or
// Installation alone.
type Input struct {
	User         string `json:"user,omitempty"`
	Installation string `json:"installation,omitempty"`
	Resource     string `json:"resource"`
	Permission   string `json:"permission"`
}

// Validate lists every problem with the input.
func (in Input) Validate() []model.Problem {
	var ps model.Problems
	if in.User == "" && in.Installation == "" {
		ps.Add("user", "user or installation is required")
	}
	subjectID(&ps, "user", in.User)
	subjectID(&ps, "installation", in.Installation)
	if in.Resource == "" {
		ps.Add("resource", "is required")
	} else if _, err := model.NormalizeURI(in.Resource); err != nil {
		ps.Add("resource", "%v", err)
	}
	if in.Permission == "" {
		ps.Add("permission", "is required")
	} else if _, err := model.ActionSegments(in.Permission); err != nil {
		ps.Add("permission", "%v", err)
	}
	return ps.List()
}

// subjectID checks a subject's id when one is given.
func subjectID(ps *model.Problems, field, id string) {
	if id == "" {
		return
	}
	if err := model.CheckID(id); err != nil {
		ps.Add(field, "%v", err)
	}
}

// Reason is a grant or installation that contributed to an allow.
type Reason struct {
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Role     string `json:"role,omitempty"`
	Resource string `json:"resource"`
}

// Decision is the answer to an Input.
type Decision struct {
	Allowed    bool     `json:"allowed"`
	DecisionID string   `json:"decision_id"`
	Revision   uint64   `json:"revision"`
	Reasons    []Reason `json:"reasons"`
	DeniedBy   *string  `json:"denied_by"`
}
