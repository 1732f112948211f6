package datagen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// HookModule returns a random custom module of package gatehouse.hooks
// for a data set of users users: one to four deny or allow hook rules,
// each conditioned on one or two input fields (user, installation,
// resource prefix or suffix, permission, negations and a helper set), so
// that some fire on the questions Queries generates and some do not.
// It reports whether the module has allow rules and deny rules.
func HookModule(r *rand.Rand, users int) (src string, allows, denies bool) {
	var b strings.Builder
	b.WriteString("package gatehouse.hooks\n")
	helper := false
	for i := range 1 + r.IntN(4) {
		kind, value := "deny", fmt.Sprintf("%q", fmt.Sprintf("deny-%d", i))
		if r.IntN(2) == 0 {
			kind, value = "allow", fmt.Sprintf("%q", fmt.Sprintf("allow-%d", i))
			allows = true
		} else {
			denies = true
		}
		if r.IntN(4) == 0 {
			// A value built from the input: defined only when its fields are.
			value = fmt.Sprintf("sprintf(\"%s-%d %%s\", [input.resource])", kind, i)
		}
		fmt.Fprintf(&b, "\n%s contains %s if {\n", kind, value)
		for range 1 + r.IntN(2) {
			cond := hookCondition(r, users)
			if strings.Contains(cond, "_watched") {
				helper = true
			}
			fmt.Fprintf(&b, "\t%s\n", cond)
		}
		b.WriteString("}\n")
	}
	if helper {
		fmt.Fprintf(&b, "\n_watched contains %q\n\n_watched contains %q\n", User(r.IntN(users)), User(r.IntN(users)))
	}
	return b.String(), allows, denies
}

// hookCondition returns one condition on the input of a decision.
func hookCondition(r *rand.Rand, users int) string {
	u := r.IntN(users)
	switch r.IntN(11) {
	case 0:
		return fmt.Sprintf("input.user == %q", User(u))
	case 9:
		return fmt.Sprintf("startswith(input.user, %q)", User(u%10))
	case 10:
		return "input.installation"
	case 1:
		return fmt.Sprintf("input.installation == %q", Installation(u))
	case 2:
		return fmt.Sprintf("startswith(input.resource, %q)", Account(u))
	case 3:
		return fmt.Sprintf("not startswith(input.resource, %q)", Account(u))
	case 4:
		return fmt.Sprintf("input.permission == %q", Action(r))
	case 5:
		return fmt.Sprintf("startswith(input.permission, %q)", verbs[r.IntN(len(verbs))]+":")
	case 6:
		return fmt.Sprintf("endswith(input.resource, \"/%d\")", r.IntN(20))
	case 7:
		return "input.user in _watched"
	}
	return fmt.Sprintf("contains(input.resource, %q)", "/"+nouns[r.IntN(len(nouns))])
}
